"""The Hikvision adapter: ISAPI cameras, door stations and recorders, a speaker per talk channel."""
