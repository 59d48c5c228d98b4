"""The office desk: questions people ask the district office, and the staff who answer them."""
