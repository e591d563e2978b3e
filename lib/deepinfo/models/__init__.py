"""Models shared by the chapters (GPU when present, CPU otherwise)."""
