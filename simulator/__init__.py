"""Device simulators (Hikvision ISAPI cameras, Axis relay peers) for tests, benchmarks and the demo."""
