import Media
import Models
