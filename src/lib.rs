//! Soapstone: a SOAP 1.1/1.2 server engine and the services built on it.
//!
//! A request travels: [`binding`] (HTTP) → [`endpoint`] (the SOAP phases: [`soap`] envelope
//! reader on [`xml`], mustUnderstand, [`addressing`], [`dispatch`] by body QName, [`codec`]
//! typed decode) → a service's handler → its repository on [`db`] → typed response or fault →
//! envelope writer.

pub mod addressing;
pub mod app;
pub mod auth;
pub mod bench;
pub mod binding;
pub mod catalog;
pub mod cli;
pub mod codec;
pub mod common;
pub mod config;
pub mod contract;
pub mod db;
pub mod dispatch;
pub mod endpoint;
pub mod identity;
pub mod logging;
pub mod metrics;
pub mod orders;
pub mod pages;
pub mod pg;
pub mod reload;
pub mod security;
pub mod seed;
pub mod shared;
pub mod soap;
pub mod storage;
pub mod telemetry;
pub mod user_commands;
pub mod users;
pub mod xml;
pub mod xop;
