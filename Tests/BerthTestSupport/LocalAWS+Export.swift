/// moto's server and the loopback HTTP helpers live in `LocalAWS`, which berth-bench shares;
/// every test that imports the support target sees them as before.
@_exported import LocalAWS
