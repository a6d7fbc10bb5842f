import HTTPClient

/// What the gateway answered: the HTTP status and the body's bytes, exactly
/// as they came (the signature covers the raw bytes, so nothing here decodes
/// them). Any status is an answer at this level; whether it is a *fact* is
/// for the caller to decide after verifying Alipay's signature.
public typealias GatewayResponse = HTTPClientResponse
