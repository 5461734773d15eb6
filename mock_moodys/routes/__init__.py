"""Route tables of the mock, one module per API family."""
