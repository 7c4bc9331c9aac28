//! Integration tests: the rpq binary against real, throwaway redis-servers.

mod support;

mod basics;
mod completions;
mod concurrency;
mod demo;
mod errors;
mod faults;
mod signals;
