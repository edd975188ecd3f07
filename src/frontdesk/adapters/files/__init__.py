"""File stores: where Frontdesk keeps files outside the database (`frontdesk.domain.files.FileStore`)."""
