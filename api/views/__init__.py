"""The viewsets of the API, one module per resource."""
