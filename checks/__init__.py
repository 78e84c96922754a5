"""The bundled course's check tables: one module per assignment (see course.py)."""
