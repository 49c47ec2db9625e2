"""The versioned JSON API (`/api/v1/`): django-ninja operations that parse input, call one
service and present the result as a schema. `app.py` builds the API; `urls.py` mounts it."""
