"""The business's data as files: each CSV table (products, customers, orders) exported and imported in a
business pack's columns (docs/business-pack.md), and the whole business imported or exported as a pack.

An import answers the pack import's report: 200 when applied (or, with `dry_run=true`, what it would
do), 422 with the same report listing every problem (file, row, column) when refused; then nothing was
written. A body over `FRONTDESK_PACK_MAX_BYTES` is 413. Importing and exporting need the `admin` role
(an export holds customers' personal data; each is audited).

These routes are registered before the tables' `/{key}` routes, so `/products/export` is this export
(a product whose SKU is `export` is still reached by the list and search).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from frontdesk.adapters.business_pack import read_files, read_table, read_zip, write_table, write_zip
from frontdesk.api.auth import Admin
from frontdesk.api.body import limited_body_route
from frontdesk.api.deps import BusinessFilesDep, SettingsDep, services_of
from frontdesk.api.errors import error_model
from frontdesk.api.routers.business import PREFIX
from frontdesk.api.schemas.business import ImportReportOut
from frontdesk.domain.business_pack import ImportReport, PackError
from frontdesk.services.business_files import CSV_TABLES

UPLOAD_OVERHEAD = 64 * 1024
"""Bytes allowed on top of the pack limit for multipart boundaries and part headers."""


def _body_limit(request: Request) -> int:
    return services_of(request).settings.pack_max_bytes + UPLOAD_OVERHEAD


router = APIRouter(prefix=PREFIX, tags=["business"], route_class=limited_body_route(_body_limit))

DryRun = Annotated[bool, Query(description="Check and count, and write nothing.")]

_REFUSED = {
    "description": "Refused: the report lists every problem (file, row, column) and nothing was written; "
    "or a bad parameter (`detail`, as every 422)",
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    {"$ref": "#/components/schemas/ImportReportOut"},
                    {"$ref": "#/components/schemas/ValidationErrorBody"},
                ]
            }
        }
    },
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": error_model(401), "description": "Not signed in"},
    403: {"model": error_model(403), "description": "Importing and exporting need the admin role"},
}
_TOO_LARGE = {"model": error_model(413), "description": "Over FRONTDESK_PACK_MAX_BYTES"}


def _body(*types: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": dict(types)}}


_FILE_FORM = (
    "multipart/form-data",
    {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    },
)
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _refused(exc: PackError, *, dry_run: bool) -> JSONResponse:
    report = (exc.report or ImportReport(dry_run=dry_run)).model_copy(
        update={"problems": tuple(exc.problems)}
    )
    return JSONResponse(ImportReportOut.of(report).model_dump(mode="json"), status_code=422)


def _no_file(where: str) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "missing", "loc": ("body", where), "msg": "a file is required", "input": None}]
    )


async def _uploads(request: Request) -> dict[str, bytes]:
    """The files of a multipart body by their names; 422 if it holds none."""
    form = await request.form()
    found = {v.filename or k: await v.read() for k, v in form.multi_items() if isinstance(v, UploadFile)}
    if not found:
        raise _no_file("file")
    return found


async def _one_file(request: Request) -> bytes:
    """The body itself, or the multipart body's `file`."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _no_file("file")
        return await upload.read()
    return await request.body()


def _table_routes(table: str) -> None:
    async def export_table(staff: Admin, files: BusinessFilesDep) -> Response:
        rows = await files.table_rows(staff, table)
        return Response(
            write_table(table, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{table}.csv"'},
        )

    async def import_table(
        staff: Admin, files: BusinessFilesDep, request: Request, dry_run: DryRun = False
    ) -> Any:
        data = await _one_file(request)
        try:
            report = await files.import_rows(staff, table, read_table(table, data), dry_run=dry_run)
        except PackError as exc:
            return _refused(exc, dry_run=dry_run)
        return ImportReportOut.of(report)

    router.add_api_route(
        f"/{table}/export",
        export_table,
        methods=["GET"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **_ERRORS},
        name=f"export_{table}",
        summary=f"Export {table} as CSV",
        description=f"The tenant's {table} as `{table}.csv` in a business pack's columns (audited).",
    )
    router.add_api_route(
        f"/{table}/import",
        import_table,
        methods=["POST"],
        response_model=ImportReportOut,
        responses={**_ERRORS, 413: _TOO_LARGE, 422: _REFUSED},
        openapi_extra=_body(("text/csv", {"schema": {"type": "string"}}), _FILE_FORM),
        name=f"import_{table}",
        summary=f"Import {table} from CSV",
        description=f"Upsert {table} by key from `{table}.csv` (the body, or a multipart `file`); all rows "
        "or none. References may be to rows the tenant has or to rows in the same file.",
    )


for _table in CSV_TABLES:
    _table_routes(_table)


@router.post(
    "/import",
    response_model=ImportReportOut,
    responses={**_ERRORS, 413: _TOO_LARGE, 422: _REFUSED},
    openapi_extra=_body(
        ("application/zip", _BINARY),
        (
            "multipart/form-data",
            {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                    "required": ["files"],
                }
            },
        ),
    ),
)
async def import_pack(
    staff: Admin, files: BusinessFilesDep, settings: SettingsDep, request: Request, dry_run: DryRun = False
) -> Any:
    """Import a business pack: a `.zip` body (`application/zip`), or multipart with one `.zip` or the
    pack's single files named as in a pack (`products.csv`, `services.yaml`, `kb/returns.md`...).
    Rows are upserted by key, documents by file name, `team.yaml` saved as the next team version."""
    limit = settings.pack_max_bytes
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            uploads = await _uploads(request)
            if len(uploads) == 1 and next(iter(uploads)).lower().endswith(".zip"):
                pack = read_zip(next(iter(uploads.values())), max_bytes=limit)
            else:
                pack = read_files(uploads, max_bytes=limit)
        else:
            pack = read_zip(await request.body(), max_bytes=limit)
        report = await files.import_pack(staff, pack, dry_run=dry_run)
    except PackError as exc:
        return _refused(exc, dry_run=dry_run)
    return ImportReportOut.of(report)


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": _BINARY}}, **_ERRORS},
)
async def export_pack(staff: Admin, files: BusinessFilesDep) -> Response:
    """The whole business as a pack `.zip`: business.yaml, the CSV tables, services.yaml, the knowledge
    documents as uploaded and the saved team (audited). Importing it elsewhere gives the same business."""
    pack = await files.export_pack(staff)
    return Response(
        write_zip(pack),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{staff.tenant.slug}-pack.zip"'},
    )
