"""Benchmark of the portal's pages under gunicorn with production settings (see README.md)."""
