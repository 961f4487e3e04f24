"""Text formats shared by the blog and the mailing domain; imports none of our apps."""
