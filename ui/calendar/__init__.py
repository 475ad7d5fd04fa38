"""The Events tab's week and month calendar: the widget, its layouts and painters."""
