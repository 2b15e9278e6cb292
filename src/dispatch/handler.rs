//! The handler model: any `async fn(extractors…, request) -> Result<Response, Error>` whose
//! extractors implement [`FromContext`], whose request is a decodable message, whose response
//! is a message and whose error converts into a [`Fault`].

use std::future::Future;
use std::pin::Pin;

use super::{FromContext, RequestContext};
use crate::codec::{Decode, Message};
use crate::soap::{BodyWriter, Fault};

/// What calling a handler yields: the response body or a fault.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Box<dyn BodyWriter>, Fault>> + Send>>;

/// An operation handler; implemented for async functions, see the module docs. `T` lists the
/// argument types so that functions of different arity do not overlap.
pub trait Handler<T, S>: Clone + Send + Sync + 'static {
    /// The request message the handler takes as its last argument.
    type Request: Message + Decode + Send + 'static;
    /// The response message it returns.
    type Response: Message;
    fn call(self, cx: RequestContext, state: S, request: Self::Request) -> HandlerFuture;
}

macro_rules! impl_handler {
    ($($extractor:ident),*) => {
        #[allow(non_snake_case, unused_variables)]
        impl<F, Fut, S, Req, Resp, Err, $($extractor,)*> Handler<($($extractor,)* Req,), S> for F
        where
            F: Fn($($extractor,)* Req) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future<Output = Result<Resp, Err>> + Send + 'static,
            S: Send + Sync + 'static,
            Req: Message + Decode + Send + 'static,
            Resp: Message + BodyWriter + 'static,
            Err: Into<Fault> + 'static,
            $($extractor: FromContext<S> + Send + 'static,)*
        {
            type Request = Req;
            type Response = Resp;

            fn call(self, cx: RequestContext, state: S, request: Req) -> HandlerFuture {
                $(
                    let $extractor = match $extractor::from_context(&cx, &state) {
                        Ok(value) => value,
                        Err(fault) => return Box::pin(async move { Err(fault) }),
                    };
                )*
                Box::pin(async move {
                    match self($($extractor,)* request).await {
                        Ok(response) => Ok(Box::new(response) as Box<dyn BodyWriter>),
                        Err(error) => Err(error.into()),
                    }
                })
            }
        }
    };
}

impl_handler!();
impl_handler!(E1);
impl_handler!(E1, E2);
