"""Input channels Rasa itself serves (credentials.yml); users reach Rasa only through the gateway."""
