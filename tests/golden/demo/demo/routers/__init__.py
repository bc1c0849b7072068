"""HTTP routes, one module per model."""
