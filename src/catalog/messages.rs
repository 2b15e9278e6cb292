//! The SOAP messages of `xsd/catalog.xsd` and their codecs.

use super::model::{Product, ProductSort, ProductStatus};
use crate::codec::{Decode, Decoder, Encode, Many, Message, Slot, enum_codec};
use crate::common::{Currency, Money};
use crate::xml::{Namespace, XmlError, XmlWriter};

/// `http://soapstone.dev/schema/catalog/v1`.
pub const CATALOG: Namespace = Namespace {
    uri: "http://soapstone.dev/schema/catalog/v1",
    prefix: "cat",
};
const NS: &str = CATALOG.uri;

enum_codec!(ProductStatus, ProductSort);

macro_rules! message {
    ($($t:ident),*) => {$(
        impl Message for $t {
            const NAMESPACE: Namespace = CATALOG;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
message!(
    CreateProduct,
    CreateProductResponse,
    GetProduct,
    GetProductResponse,
    UpdateProduct,
    UpdateProductResponse,
    DiscontinueProduct,
    DiscontinueProductResponse,
    AdjustStock,
    AdjustStockResponse,
    SearchProducts,
    SearchProductsResponse
);

impl Encode for Product {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(CATALOG, "sku", &self.sku);
        w.element(CATALOG, "name", &self.name);
        w.optional(CATALOG, "description", self.description.as_ref());
        w.element(CATALOG, "unitPrice", &self.unit_price);
        w.element(CATALOG, "currency", &self.currency);
        w.element(CATALOG, "stock", &self.stock);
        w.repeated(CATALOG, "tag", &self.tags);
        w.element(CATALOG, "status", &self.status);
        w.element(CATALOG, "createdAt", &self.created_at);
        w.element(CATALOG, "updatedAt", &self.updated_at);
    }
}

/// A response holding one product.
macro_rules! product_response {
    ($($t:ident),*) => {$(
        #[derive(Debug)]
        pub struct $t {
            pub product: Product,
        }

        impl Encode for $t {
            fn encode(&self, w: &mut XmlWriter) {
                w.element(CATALOG, "product", &self.product);
            }
        }
    )*};
}
product_response!(
    CreateProductResponse,
    GetProductResponse,
    UpdateProductResponse,
    DiscontinueProductResponse
);

/// A request holding only a SKU.
macro_rules! sku_request {
    ($($t:ident),*) => {$(
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $t {
            pub sku: String,
        }

        impl Decode for $t {
            fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
                let mut sku = Slot::Absent;
                while let Some(child) = d.child()? {
                    match child.name_in(NS) {
                        Some("sku") => d.one(&child, "sku", &mut sku)?,
                        _ => d.unexpected(&child)?,
                    }
                }
                Ok(d.required(sku, "sku").map(|sku| $t { sku }))
            }
        }
    )*};
}
sku_request!(GetProduct, DiscontinueProduct);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateProduct {
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub unit_price: Money,
    pub currency: Currency,
    pub stock: i32,
    pub tags: Vec<String>,
}

impl Decode for CreateProduct {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut sku, mut name, mut description) = (Slot::Absent, Slot::Absent, Slot::Absent);
        let (mut unit_price, mut currency, mut stock) = (Slot::Absent, Slot::Absent, Slot::Absent);
        let mut tags = Many::default();
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("sku") => d.one(&child, "sku", &mut sku)?,
                Some("name") => d.one(&child, "name", &mut name)?,
                Some("description") => d.one(&child, "description", &mut description)?,
                Some("unitPrice") => d.one(&child, "unitPrice", &mut unit_price)?,
                Some("currency") => d.one(&child, "currency", &mut currency)?,
                Some("stock") => d.one(&child, "stock", &mut stock)?,
                Some("tag") => d.many(&child, "tag", &mut tags)?,
                _ => d.unexpected(&child)?,
            }
        }
        let sku = d.required(sku, "sku");
        let name = d.required(name, "name");
        let unit_price = d.required(unit_price, "unitPrice");
        let currency = d.required(currency, "currency");
        let stock = d.required(stock, "stock");
        Ok((|| {
            Some(CreateProduct {
                sku: sku?,
                name: name?,
                description: description.into_option(),
                unit_price: unit_price?,
                currency: currency?,
                stock: stock?,
                tags: tags.into_items()?,
            })
        })())
    }
}

/// `TagList`: the tags of an UpdateProduct.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagList(pub Vec<String>);

impl Decode for TagList {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let mut tags = Many::default();
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("tag") => d.many(&child, "tag", &mut tags)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(tags.into_items().map(TagList))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateProduct {
    pub sku: String,
    pub name: Option<String>,
    /// `Some(None)`: sent with `xsi:nil="true"`.
    pub description: Option<Option<String>>,
    pub unit_price: Option<Money>,
    pub tags: Option<Vec<String>>,
}

impl Decode for UpdateProduct {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut sku, mut name, mut description) = (Slot::Absent, Slot::Absent, Slot::Absent);
        let (mut unit_price, mut tags) = (Slot::Absent, Slot::<TagList>::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("sku") => d.one(&child, "sku", &mut sku)?,
                Some("name") => d.one(&child, "name", &mut name)?,
                Some("description") => d.one_nillable(&child, "description", &mut description)?,
                Some("unitPrice") => d.one(&child, "unitPrice", &mut unit_price)?,
                Some("tags") => d.one(&child, "tags", &mut tags)?,
                _ => d.unexpected(&child)?,
            }
        }
        let description = match description {
            Slot::Nil => Some(None),
            Slot::Value(text) => Some(Some(text)),
            Slot::Absent | Slot::Invalid => None,
        };
        Ok(d.required(sku, "sku").map(|sku| UpdateProduct {
            sku,
            name: name.into_option(),
            description,
            unit_price: unit_price.into_option(),
            tags: tags.into_option().map(|t| t.0),
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustStock {
    pub sku: String,
    pub delta: i32,
    pub reason: String,
}

impl Decode for AdjustStock {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut sku, mut delta, mut reason) = (Slot::Absent, Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("sku") => d.one(&child, "sku", &mut sku)?,
                Some("delta") => d.one(&child, "delta", &mut delta)?,
                Some("reason") => d.one(&child, "reason", &mut reason)?,
                _ => d.unexpected(&child)?,
            }
        }
        let (sku, delta, reason) = (
            d.required(sku, "sku"),
            d.required(delta, "delta"),
            d.required(reason, "reason"),
        );
        Ok((|| {
            Some(AdjustStock {
                sku: sku?,
                delta: delta?,
                reason: reason?,
            })
        })())
    }
}

#[derive(Debug)]
pub struct AdjustStockResponse {
    pub sku: String,
    pub stock: i32,
}

impl Encode for AdjustStockResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(CATALOG, "sku", &self.sku);
        w.element(CATALOG, "stock", &self.stock);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchProducts {
    pub text: Option<String>,
    pub tag: Option<String>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    pub in_stock_only: Option<bool>,
    pub include_discontinued: Option<bool>,
    pub sort_by: Option<ProductSort>,
    pub descending: Option<bool>,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

impl Decode for SearchProducts {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut text, mut tag, mut min_price, mut max_price) =
            (Slot::Absent, Slot::Absent, Slot::Absent, Slot::Absent);
        let (mut in_stock_only, mut include_discontinued, mut sort_by, mut descending) =
            (Slot::Absent, Slot::Absent, Slot::Absent, Slot::Absent);
        let (mut page_size, mut page_token) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("text") => d.one(&child, "text", &mut text)?,
                Some("tag") => d.one(&child, "tag", &mut tag)?,
                Some("minPrice") => d.one(&child, "minPrice", &mut min_price)?,
                Some("maxPrice") => d.one(&child, "maxPrice", &mut max_price)?,
                Some("inStockOnly") => d.one(&child, "inStockOnly", &mut in_stock_only)?,
                Some("includeDiscontinued") => {
                    d.one(&child, "includeDiscontinued", &mut include_discontinued)?
                }
                Some("sortBy") => d.one(&child, "sortBy", &mut sort_by)?,
                Some("descending") => d.one(&child, "descending", &mut descending)?,
                Some("pageSize") => d.one(&child, "pageSize", &mut page_size)?,
                Some("pageToken") => d.one(&child, "pageToken", &mut page_token)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(Some(SearchProducts {
            text: text.into_option(),
            tag: tag.into_option(),
            min_price: min_price.into_option(),
            max_price: max_price.into_option(),
            in_stock_only: in_stock_only.into_option(),
            include_discontinued: include_discontinued.into_option(),
            sort_by: sort_by.into_option(),
            descending: descending.into_option(),
            page_size: page_size.into_option(),
            page_token: page_token.into_option(),
        }))
    }
}

#[derive(Debug)]
pub struct SearchProductsResponse {
    pub products: Vec<Product>,
    pub next_page_token: Option<String>,
    pub total_count: i64,
}

impl Encode for SearchProductsResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.repeated(CATALOG, "product", &self.products);
        w.optional(CATALOG, "nextPageToken", self.next_page_token.as_ref());
        w.element(CATALOG, "totalCount", &self.total_count);
    }
}
