"""What keys do to the selected object, shared by the screens that act."""
