//! Integration tests: the rpq binary against real, throwaway redis-servers.

mod support;

mod basics;
mod bench;
mod completions;
mod concurrency;
mod errors;
mod prefetch;
mod signals;
