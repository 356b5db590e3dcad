"""One router per resource; each route translates HTTP into one `api.service` call and back."""
