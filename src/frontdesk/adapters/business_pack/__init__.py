"""The business pack: a business as a folder of files (docs/business-pack.md), read, checked, written.

`read_folder`, `read_zip`, `read_files` and `read_path` (a folder or a `.zip`) give a `Pack` or
raise `PackError` listing EVERY problem found (file, row, column); `read_table` / `write_table` do
one CSV table for the per-table import and export; `write_folder` / `write_zip` / `pack_files` write
a pack back in the same format. Checks that need the tenant's rows (an order's customer or SKU
already in the database) are the importer's (`adapters/db/business_import.py`).
"""

from frontdesk.adapters.business_pack.files import MAX_BYTES, MAX_ENTRIES
from frontdesk.adapters.business_pack.read import read_files, read_folder, read_path, read_zip
from frontdesk.adapters.business_pack.tables import CSV_TABLES, read_table, write_table
from frontdesk.adapters.business_pack.write import pack_files, write_folder, write_zip

__all__ = [
    "CSV_TABLES",
    "MAX_BYTES",
    "MAX_ENTRIES",
    "pack_files",
    "read_files",
    "read_folder",
    "read_path",
    "read_table",
    "read_zip",
    "write_folder",
    "write_table",
    "write_zip",
]
