"""The HTTP surface: routers, schemas, dependencies, error mapping. Thin: parse, call one service, answer."""
