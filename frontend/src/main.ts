import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { useSessionStore } from './features/auth/session'
import { makeRouter } from './router'
import { onSessionEnded } from './shared/api/client'
import './styles.css'

const app = createApp(App)
app.use(createPinia())
const router = makeRouter()
app.use(router)

// A request refused after a failed refresh: back to the sign-in page, then back here.
onSessionEnded(() => {
  useSessionStore().ended()
  const here = router.currentRoute.value
  if (here.name !== 'login') void router.replace({ name: 'login', query: { next: here.fullPath } })
})

app.mount('#app')
