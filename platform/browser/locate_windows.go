package browser

func places(home string, getenv func(string) string) []place { return windowsPlaces(home, getenv) }
