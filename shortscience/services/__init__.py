"""What the site does: plain functions, one module per feature, called by views and commands."""
