"""The pure core of qagraph: store, validation, reasoning, messages. No Flask here."""
