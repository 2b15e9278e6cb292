//! The CatalogService operation handlers: generated messages in, their values unwrapped into
//! service calls, the results wrapped into generated messages out.

use super::messages::{
    AdjustStock, AdjustStockResponse, CreateProduct, CreateProductResponse, DiscontinueProduct,
    DiscontinueProductResponse, GetProduct, GetProductImage, GetProductImageResponse,
    GetProductResponse, MediaType, SearchProducts, SearchProductsResponse, SetProductImage,
    SetProductImageResponse, Sha256, StockLevel, Tag, UpdateProduct, UpdateProductResponse,
};
use super::model::{NewProduct, ProductChanges, ProductFilter};
use super::service::{CatalogError, CatalogService, SearchRequest};
use crate::common::PageToken;
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
        .operation(set_product_image, roles::STAFF)
        .operation(get_product_image, roles::EVERYONE)
}

/// The tags as the service takes them, in the order sent.
fn tag_names(tags: Vec<Tag>) -> Vec<String> {
    tags.into_iter().map(|tag| tag.0).collect()
}

async fn create_product(
    State(catalog): State<CatalogService>,
    request: CreateProduct,
) -> Result<CreateProductResponse, CatalogError> {
    let product = catalog
        .create(NewProduct {
            sku: request.sku.0,
            name: request.name.0,
            description: request.description.map(|description| description.0),
            unit_price: request.unit_price,
            currency: request.currency,
            stock: request.stock.0,
            tags: tag_names(request.tag),
        })
        .await?;
    Ok(CreateProductResponse {
        product: product.into(),
    })
}

async fn get_product(
    State(catalog): State<CatalogService>,
    request: GetProduct,
) -> Result<GetProductResponse, CatalogError> {
    let product = catalog.get(request.sku.0).await?;
    Ok(GetProductResponse {
        product: (*product).clone().into(),
    })
}

async fn update_product(
    State(catalog): State<CatalogService>,
    request: UpdateProduct,
) -> Result<UpdateProductResponse, CatalogError> {
    let product = catalog
        .update(
            request.sku.0,
            ProductChanges {
                name: request.name.map(|name| name.0),
                description: request
                    .description
                    .map(|description| description.map(|text| text.0)),
                unit_price: request.unit_price,
                tags: request.tags.map(|list| tag_names(list.tag)),
            },
        )
        .await?;
    Ok(UpdateProductResponse {
        product: product.into(),
    })
}

async fn discontinue_product(
    State(catalog): State<CatalogService>,
    request: DiscontinueProduct,
) -> Result<DiscontinueProductResponse, CatalogError> {
    let product = catalog.discontinue(request.sku.0).await?;
    Ok(DiscontinueProductResponse {
        product: product.into(),
    })
}

async fn adjust_stock(
    State(catalog): State<CatalogService>,
    request: AdjustStock,
) -> Result<AdjustStockResponse, CatalogError> {
    let stock = catalog
        .adjust_stock(request.sku.0.clone(), request.delta, request.reason.0)
        .await?;
    Ok(AdjustStockResponse {
        sku: request.sku,
        stock: StockLevel(stock),
    })
}

async fn search_products(
    State(catalog): State<CatalogService>,
    request: SearchProducts,
) -> Result<SearchProductsResponse, CatalogError> {
    let page = catalog
        .search(SearchRequest {
            text: request.text.map(|text| text.0),
            filter: ProductFilter {
                text_words: Vec::new(),
                tag: request.tag.map(|tag| tag.0),
                min_price: request.min_price,
                max_price: request.max_price,
                in_stock_only: request.in_stock_only.unwrap_or(false),
                include_discontinued: request.include_discontinued.unwrap_or(false),
                sort: request.sort_by.unwrap_or_default(),
                descending: request.descending.unwrap_or(false),
            },
            page_size: request.page_size.map(|size| size.0),
            page_token: request.page_token.map(|token| token.0),
        })
        .await?;
    Ok(SearchProductsResponse {
        product: page.products.into_iter().map(Into::into).collect(),
        next_page_token: page.next_page_token.map(PageToken),
        total_count: page.total,
    })
}

async fn set_product_image(
    State(catalog): State<CatalogService>,
    request: SetProductImage,
) -> Result<SetProductImageResponse, CatalogError> {
    let stored = catalog
        .set_image(request.sku.0.clone(), request.content_type.0, request.image)
        .await?;
    Ok(SetProductImageResponse {
        sku: request.sku,
        bytes: i64::try_from(stored.bytes).unwrap_or(i64::MAX),
        sha256: Sha256(stored.sha256),
    })
}

async fn get_product_image(
    State(catalog): State<CatalogService>,
    request: GetProductImage,
) -> Result<GetProductImageResponse, CatalogError> {
    let image = catalog.image(request.sku.0).await?;
    Ok(GetProductImageResponse {
        content_type: MediaType(image.content_type),
        image: image.content,
    })
}
