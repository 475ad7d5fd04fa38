"""Dialogs: the record forms, the conflict comparison, the owner picker, awaiting a dialog."""
