"""The domain: entities, value objects, ports and errors. No Qt, no SQL."""
