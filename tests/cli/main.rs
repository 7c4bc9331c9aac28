//! Integration tests: the rpq binary against real, throwaway redis-servers.

mod servers;
mod support;

mod basics;
mod cluster;
mod completions;
mod concurrency;
mod errors;
mod secure;
mod signals;
