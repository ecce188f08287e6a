package otlp

// osType is the resource's os.type, as the semantic conventions spell it.
const osType = "darwin"
