//! The OrderService operation handlers: typed messages in, service calls, typed messages out.

use super::messages::{
    CancelOrder, CancelOrderResponse, GetOrder, GetOrderResponse, ListOrders, ListOrdersResponse,
    PlaceOrder, PlaceOrderResponse, SalesReport, SalesReportResponse, ShipOrder, ShipOrderResponse,
};
use super::model::{NewOrder, OrderFilter};
use super::service::{ListOrdersRequest, OrderError, OrderService};
use crate::dispatch::{Service, State};

/// The SOAP service definition: every operation of `wsdl/OrderService.wsdl`.
pub fn soap_service(orders: OrderService) -> Service<OrderService> {
    Service::new("OrderService", "http://soapstone.dev/orders/", orders)
        .operation(place_order)
        .operation(get_order)
        .operation(list_orders)
        .operation(cancel_order)
        .operation(ship_order)
        .operation(sales_report)
}

async fn place_order(
    State(orders): State<OrderService>,
    request: PlaceOrder,
) -> Result<PlaceOrderResponse, OrderError> {
    let order = orders
        .place(NewOrder {
            customer_id: request.customer_id,
            lines: request
                .lines
                .into_iter()
                .map(|line| (line.sku, line.quantity))
                .collect(),
            shipping_address: request.shipping_address,
            client_reference: request.client_reference,
        })
        .await?;
    Ok(PlaceOrderResponse { order })
}

async fn get_order(
    State(orders): State<OrderService>,
    request: GetOrder,
) -> Result<GetOrderResponse, OrderError> {
    let order = orders.get(request.id).await?;
    Ok(GetOrderResponse { order })
}

async fn list_orders(
    State(orders): State<OrderService>,
    request: ListOrders,
) -> Result<ListOrdersResponse, OrderError> {
    let page = orders
        .list(ListOrdersRequest {
            filter: OrderFilter {
                customer_id: request.customer_id,
                status: request.status,
                placed_from: request.placed_from,
                placed_to: request.placed_to,
            },
            page_size: request.page_size,
            page_token: request.page_token,
        })
        .await?;
    Ok(ListOrdersResponse {
        orders: page.orders,
        next_page_token: page.next_page_token,
        total_count: page.total,
    })
}

async fn cancel_order(
    State(orders): State<OrderService>,
    request: CancelOrder,
) -> Result<CancelOrderResponse, OrderError> {
    let order = orders.cancel(request.id, request.reason).await?;
    Ok(CancelOrderResponse { order })
}

async fn ship_order(
    State(orders): State<OrderService>,
    request: ShipOrder,
) -> Result<ShipOrderResponse, OrderError> {
    let order = orders.ship(request.id).await?;
    Ok(ShipOrderResponse { order })
}

async fn sales_report(
    State(orders): State<OrderService>,
    request: SalesReport,
) -> Result<SalesReportResponse, OrderError> {
    let rows = orders
        .sales_report(request.from, request.to, request.group_by)
        .await?;
    Ok(SalesReportResponse { rows })
}
