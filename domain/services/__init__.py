"""The service layer, one module per resource; ``domain.application.Oversight`` joins them."""
