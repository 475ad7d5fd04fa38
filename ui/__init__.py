"""The Qt window. It sees services and domain objects, never SQL."""
