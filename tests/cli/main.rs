//! Integration tests: the rpq binary against real, throwaway redis-servers.

mod servers;
mod support;

mod basics;
mod bench;
mod cluster;
mod completions;
mod concurrency;
mod demo;
mod errors;
mod faults;
mod json;
mod prefetch;
mod pty;
mod scripts;
mod secure;
mod serve;
mod signals;
mod stats;
