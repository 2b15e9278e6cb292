//! The CatalogService operation handlers: typed messages in, service calls, typed messages
//! out.

use super::messages::{
    AdjustStock, AdjustStockResponse, CreateProduct, CreateProductResponse, DiscontinueProduct,
    DiscontinueProductResponse, GetProduct, GetProductResponse, SearchProducts,
    SearchProductsResponse, UpdateProduct, UpdateProductResponse,
};
use super::model::{NewProduct, ProductChanges, ProductFilter};
use super::service::{CatalogError, CatalogService, SearchRequest};
use crate::contract::CATALOG_SERVICE;
use crate::dispatch::{Service, State};
use crate::security::roles;

/// The SOAP service definition: every operation of `wsdl/CatalogService.wsdl`.
pub fn soap_service(catalog: CatalogService) -> Service<CatalogService> {
    Service::for_contract(&CATALOG_SERVICE, catalog)
        .operation(create_product, roles::STAFF)
        .operation(get_product, roles::EVERYONE)
        .operation(update_product, roles::STAFF)
        .operation(discontinue_product, roles::STAFF)
        .operation(adjust_stock, roles::STAFF)
        .operation(search_products, roles::EVERYONE)
}

async fn create_product(
    State(catalog): State<CatalogService>,
    request: CreateProduct,
) -> Result<CreateProductResponse, CatalogError> {
    let product = catalog
        .create(NewProduct {
            sku: request.sku,
            name: request.name,
            description: request.description,
            unit_price: request.unit_price,
            currency: request.currency,
            stock: request.stock,
            tags: request.tags,
        })
        .await?;
    Ok(CreateProductResponse { product })
}

async fn get_product(
    State(catalog): State<CatalogService>,
    request: GetProduct,
) -> Result<GetProductResponse, CatalogError> {
    let product = catalog.get(request.sku).await?;
    Ok(GetProductResponse {
        product: (*product).clone(),
    })
}

async fn update_product(
    State(catalog): State<CatalogService>,
    request: UpdateProduct,
) -> Result<UpdateProductResponse, CatalogError> {
    let product = catalog
        .update(
            request.sku,
            ProductChanges {
                name: request.name,
                description: request.description,
                unit_price: request.unit_price,
                tags: request.tags,
            },
        )
        .await?;
    Ok(UpdateProductResponse { product })
}

async fn discontinue_product(
    State(catalog): State<CatalogService>,
    request: DiscontinueProduct,
) -> Result<DiscontinueProductResponse, CatalogError> {
    let product = catalog.discontinue(request.sku).await?;
    Ok(DiscontinueProductResponse { product })
}

async fn adjust_stock(
    State(catalog): State<CatalogService>,
    request: AdjustStock,
) -> Result<AdjustStockResponse, CatalogError> {
    let stock = catalog
        .adjust_stock(request.sku.clone(), request.delta, request.reason)
        .await?;
    Ok(AdjustStockResponse {
        sku: request.sku,
        stock,
    })
}

async fn search_products(
    State(catalog): State<CatalogService>,
    request: SearchProducts,
) -> Result<SearchProductsResponse, CatalogError> {
    let page = catalog
        .search(SearchRequest {
            text: request.text,
            filter: ProductFilter {
                text_words: Vec::new(),
                tag: request.tag,
                min_price: request.min_price,
                max_price: request.max_price,
                in_stock_only: request.in_stock_only.unwrap_or(false),
                include_discontinued: request.include_discontinued.unwrap_or(false),
                sort: request.sort_by.unwrap_or_default(),
                descending: request.descending.unwrap_or(false),
            },
            page_size: request.page_size,
            page_token: request.page_token,
        })
        .await?;
    Ok(SearchProductsResponse {
        products: page.products,
        next_page_token: page.next_page_token,
        total_count: page.total,
    })
}
