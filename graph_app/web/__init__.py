"""The Flask application: blueprints over the core."""
