"""Receipts listen to dues: a recorded organisation payment gets its receipt after commit."""
