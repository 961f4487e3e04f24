"""The API's serializers, one module per resource; they parse and present, the rules live in
core services and selectors."""
