"""Training gqr models (extra ``train``): one module per family, each fits and exports to ONNX."""
