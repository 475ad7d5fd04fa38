"""The three tabs: their shared base, the table model, its columns, and what they show."""
