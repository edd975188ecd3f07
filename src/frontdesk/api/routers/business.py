"""The business data API: products, customers, orders, services, technicians and appointments, each by
its key (`sku`, `wa_id`, `ref`, `code`), with keyset pages, search, create, partial edit and delete.

Reading needs the `viewer` role (as contacts do), writing `admin`; every write is audited. Customers are
the contacts of `/api/v1/contacts`, with the fields a business keeps about them. The six tables share
their routes' shape, so one function adds each table's five routes; orders also filter by `status`
and `customer`.
"""

# No `from __future__ import annotations` here: the route functions are made inside `_table_routes`,
# and FastAPI resolves their annotations from the closure's variables only when they are real objects.

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor

from frontdesk.api.auth import Admin, Viewer
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import BusinessDataDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import Cursor, Limit
from frontdesk.api.schemas.business import (
    AppointmentIn,
    AppointmentOut,
    AppointmentPageOut,
    AppointmentPatch,
    CustomerIn,
    CustomerOut,
    CustomerPageOut,
    CustomerPatch,
    OrderIn,
    OrderOut,
    OrderPageOut,
    OrderPatch,
    ProductIn,
    ProductOut,
    ProductPageOut,
    ProductPatch,
    RecordPatch,
    ServiceIn,
    ServiceOut,
    ServicePageOut,
    ServicePatch,
    TechnicianIn,
    TechnicianOut,
    TechnicianPageOut,
    TechnicianPatch,
    page_out,
    record_out,
)
from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.business import OrderStatus
from frontdesk.domain.business_records import (
    KEY_PATTERN,
    KEYS,
    RECORD_TYPES,
    BusinessTable,
    RecordQuery,
    WaId,
)


class _KeySegment(Convertor[str]):
    """A row's key in a path: any one segment but `export` and `import`, which name the table's file
    routes (`/products/export`). Without it `PATCH /products/export` would reach the product `export`
    rather than answer 405, and the path's `Allow` would list the key routes' methods. The key's own
    rules are the parameter's (`KEY_PATTERN`: 422)."""

    regex = r"(?!(?:export|import)$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("business_key", _KeySegment())

PREFIX = "/api/v1/business"
router = APIRouter(prefix=PREFIX, tags=["business"], route_class=ApiBodyRoute)

_ERRORS = {
    401: "Not signed in",
    403: "The caller's role may not do this",
    404: "No row with that key in this tenant",
    409: "The key is taken (create), or other rows depend on the row (delete); the message says which",
    422: "A bad parameter or body, or a reference to a row the tenant does not have; `loc` names the field",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _ERRORS[code]} for code in codes}


Search = Annotated[
    str | None,
    Query(min_length=1, max_length=200, pattern=NO_NUL, description="Text in the key or the named columns."),
]


def _key(name: str, description: str) -> Any:
    """A path parameter holding a row's key, named as the key is (`/products/{sku}`)."""
    return Annotated[
        str, Path(alias=name, min_length=1, max_length=64, pattern=KEY_PATTERN, description=description)
    ]


CustomerKey = Annotated[
    WaId, Path(alias="wa_id", description="The customer's WhatsApp number, digits only (`wa_id`).")
]


def _record(body: BaseModel, table: BusinessTable) -> Any:
    values = body.model_dump()
    if "items" in values:
        values["items"] = tuple(values["items"])
    return RECORD_TYPES[table].model_validate(values)


def _table_routes(
    table: BusinessTable,
    *,
    out: type[BaseModel],
    page: type[Any],
    new: type[BaseModel],
    patch: type[RecordPatch],
    key: Any,
    searched: str,
    listed: bool = True,
) -> None:
    """Add GET (list), GET/PATCH/DELETE by key and POST for `table`."""
    name = table.value
    one = {"customers": "customer"}.get(name, name.rstrip("s"))

    if listed:

        async def list_rows(
            staff: Viewer, data: BusinessDataDep, q: Search = None, limit: Limit = 50, cursor: Cursor = None
        ) -> Any:
            found = await data.page(staff, table, RecordQuery(q=q, limit=limit, cursor=cursor))
            return page_out(found, out, page)

        router.add_api_route(
            f"/{name}",
            list_rows,
            methods=["GET"],
            response_model=page,
            responses=_errors(401, 403, 422),
            name=f"list_{name}",
            summary=f"List {name}",
            description=f"The tenant's {name} in key order, a page at a time; `q` searches {searched}.",
        )

    # mypy cannot check annotations that are variables; FastAPI reads them as the types they hold.
    async def get_row(staff: Viewer, data: BusinessDataDep, key_value: key) -> Any:
        return record_out(await data.get(staff, table, key_value), out)

    async def create_row(staff: Admin, data: BusinessDataDep, body: new) -> Any:  # type: ignore[valid-type]
        return record_out(await data.create(staff, _record(body, table)), out)

    async def update_row(
        staff: Admin,
        data: BusinessDataDep,
        key_value: key,
        body: patch,  # type: ignore[valid-type]
    ) -> Any:
        return record_out(await data.update(staff, table, key_value, RecordPatch.changes(body)), out)

    async def delete_row(staff: Admin, data: BusinessDataDep, key_value: key) -> Response:
        await data.delete(staff, table, key_value)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    path = f"/{name}/{{{KEYS[table]}:business_key}}"
    router.add_api_route(
        path,
        get_row,
        methods=["GET"],
        response_model=out,
        responses=_errors(401, 403, 404, 422),
        name=f"get_{one}",
        summary=f"Get a {one}",
    )
    router.add_api_route(
        f"/{name}",
        create_row,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        response_model=out,
        responses=_errors(401, 403, 409, 422),
        name=f"create_{one}",
        summary=f"Add a {one}",
        description=f"Add a {one} (audited); 409 if the key is taken.",
    )
    router.add_api_route(
        path,
        update_row,
        methods=["PATCH"],
        response_model=out,
        responses=_errors(401, 403, 404, 422),
        name=f"update_{one}",
        summary=f"Change a {one}",
        description="Change the fields given (audited); one left out stays, `null` empties one that may be.",
    )
    router.add_api_route(
        path,
        delete_row,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        responses=_errors(401, 403, 404, 409, 422),
        name=f"delete_{one}",
        summary=f"Delete a {one}",
        description=f"Delete a {one} (audited); 409 when other rows depend on it.",
    )


@router.get("/orders", responses=_errors(401, 403, 422))
async def list_orders(
    staff: Viewer,
    data: BusinessDataDep,
    q: Search = None,
    status: Annotated[OrderStatus | None, Query(description="Only orders with this status.")] = None,
    customer: Annotated[WaId | None, Query(description="Only this customer's orders (`wa_id`).")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> OrderPageOut:
    """The tenant's orders by reference, a page at a time; `q` searches the reference, the customer's
    number and name, and the tracking number."""
    query = RecordQuery(q=q, status=status, customer=customer, limit=limit, cursor=cursor)
    result: OrderPageOut = page_out(
        await data.page(staff, BusinessTable.ORDERS, query), OrderOut, OrderPageOut
    )
    return result


_table_routes(
    BusinessTable.PRODUCTS,
    out=ProductOut,
    page=ProductPageOut,
    new=ProductIn,
    patch=ProductPatch,
    key=_key("sku", "The product's SKU."),
    searched="the SKU, name and category",
)
_table_routes(
    BusinessTable.CUSTOMERS,
    out=CustomerOut,
    page=CustomerPageOut,
    new=CustomerIn,
    patch=CustomerPatch,
    key=CustomerKey,
    searched="the number, name, e-mail and city",
)
_table_routes(
    BusinessTable.ORDERS,
    out=OrderOut,
    page=OrderPageOut,
    new=OrderIn,
    patch=OrderPatch,
    key=_key("ref", "The order's reference (a pack's `order_id`)."),
    searched="",
    listed=False,
)
_table_routes(
    BusinessTable.SERVICES,
    out=ServiceOut,
    page=ServicePageOut,
    new=ServiceIn,
    patch=ServicePatch,
    key=_key("code", "The service's code (a pack's service `id`)."),
    searched="the code, name and description",
)
_table_routes(
    BusinessTable.TECHNICIANS,
    out=TechnicianOut,
    page=TechnicianPageOut,
    new=TechnicianIn,
    patch=TechnicianPatch,
    key=_key("code", "The technician's code (a pack's technician `id`)."),
    searched="the code and name",
)
_table_routes(
    BusinessTable.APPOINTMENTS,
    out=AppointmentOut,
    page=AppointmentPageOut,
    new=AppointmentIn,
    patch=AppointmentPatch,
    key=_key("ref", "The appointment's reference (a pack's appointment `id`)."),
    searched="the reference, service, technician, customer's number and city",
)
