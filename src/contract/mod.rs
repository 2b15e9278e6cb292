//! The WSDL and XSD documents, embedded at build time from `wsdl/` and `xsd/` (the source of
//! truth), served with every address rewritten for the URL the caller used, and the WSDL's
//! policies those of the address the caller used (plain HTTP, HTTPS).

mod actions;
mod policies;
mod registration;
mod soap11;
mod template;

pub use actions::Actions;
pub use policies::ServedOver;
pub use registration::{
    AUTH_SERVICE, BENCH_SERVICE, Bound, CATALOG_SERVICE, ORDER_SERVICE, OperationContract,
    RegistrationError, SERVICES, ServiceContract, USER_SERVICE, check_registration,
};

use policies::with_policies;
use soap11::soap11_only;
use template::Template;

/// Every schema in `xsd/`, by file name. Only these names are served.
pub const SCHEMAS: &[(&str, &str)] = &[
    ("bench.xsd", include_str!("../../xsd/bench.xsd")),
    ("catalog.xsd", include_str!("../../xsd/catalog.xsd")),
    ("common.xsd", include_str!("../../xsd/common.xsd")),
    ("orders.xsd", include_str!("../../xsd/orders.xsd")),
    ("security.xsd", include_str!("../../xsd/security.xsd")),
    ("users.xsd", include_str!("../../xsd/users.xsd")),
];

/// The documents of one service mounted at one path.
#[derive(Debug)]
pub struct Contract {
    http: Views,
    https: Views,
    https_client_certificate: Views,
    schemas: Vec<(&'static str, Template)>,
    actions: Actions,
}

/// The WSDL served at one kind of address: the whole contract and its SOAP-1.1-only view.
#[derive(Debug)]
struct Views {
    wsdl: Template,
    soap11: Template,
}

impl Views {
    fn new(path: &str, wsdl: &str, served: ServedOver) -> Result<Self, String> {
        let text = with_policies(wsdl, served)?;
        Ok(Views {
            soap11: Template::new(soap11_only(&text)?, path)?,
            wsdl: Template::new(text, path)?,
        })
    }
}

/// A contract document that could not be prepared for serving.
#[derive(Debug, thiserror::Error)]
#[error("contract document {name} cannot be served: {reason}")]
pub struct ContractError {
    name: String,
    reason: String,
}

impl Contract {
    /// Prepares `wsdl` (and every schema) for a service mounted at `path`.
    pub fn new(path: &str, wsdl_name: &str, wsdl: &'static str) -> Result<Self, ContractError> {
        let error = |name: &str| {
            let name = name.to_string();
            move |reason: String| ContractError { name, reason }
        };
        let actions = Actions::parse(wsdl).map_err(error(wsdl_name))?;
        let views = |served| Views::new(path, wsdl, served).map_err(error(wsdl_name));
        let http = views(ServedOver::Http)?;
        let https = views(ServedOver::Https)?;
        let https_client_certificate = views(ServedOver::HttpsWithClientCertificate)?;
        let schemas = SCHEMAS
            .iter()
            .map(|(name, text)| {
                Ok((
                    *name,
                    Template::new(text.to_string(), path).map_err(error(name))?,
                ))
            })
            .collect::<Result<_, ContractError>>()?;
        Ok(Contract {
            http,
            https,
            https_client_certificate,
            schemas,
            actions,
        })
    }

    /// The WSDL with `soap:address` and schema locations pointing at `base`
    /// (`scheme://host[:port]`) and the policies of the address it is served at.
    pub fn wsdl(&self, base: &str, served: ServedOver) -> String {
        self.views(served).wsdl.render(base)
    }

    /// The WSDL without its SOAP 1.2 binding and port (`?wsdl&soap=1.1`).
    pub fn wsdl_soap11(&self, base: &str, served: ServedOver) -> String {
        self.views(served).soap11.render(base)
    }

    fn views(&self, served: ServedOver) -> &Views {
        match served {
            ServedOver::Http => &self.http,
            ServedOver::Https => &self.https,
            ServedOver::HttpsWithClientCertificate => &self.https_client_certificate,
        }
    }

    /// The WS-Addressing actions of the WSDL's operations.
    pub fn actions(&self) -> &Actions {
        &self.actions
    }

    /// Schema `name` (a file name in `xsd/`), its imports pointing at `base`.
    pub fn schema(&self, name: &str, base: &str) -> Option<String> {
        self.schemas
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.render(base))
    }
}
