//! Async client for the SAP Concur APIs: OAuth2 with geolocation, Expense, Invoice, Imaging, List Items and Users.
