"""Audio pipeline: any source to paced G.711 frames, fanned out. No Home Assistant imports."""
