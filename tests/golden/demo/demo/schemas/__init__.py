"""Request and response bodies, one module per model; the field types they share are in
`field_types`."""
