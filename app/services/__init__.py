"""Use cases the window calls. Each owns its unit of work. No Qt, no SQL."""
