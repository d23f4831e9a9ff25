"""The REST API's shared parts: token authentication, permissions, pagination, errors,
the base serializer and view set every app's `api/` builds on, and the URL root."""
