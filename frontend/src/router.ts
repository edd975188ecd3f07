import { defineAsyncComponent } from 'vue'
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from '@/features/auth/session'
import LoginPage from '@/features/auth/LoginPage.vue'
import AppShell from '@/shell/AppShell.vue'
import InboxPage from '@/features/conversations/InboxPage.vue'

/** The simulator's phone, which the inbox also shows beside a chat: loaded when first opened. */
const PhonePanel = defineAsyncComponent(() => import('@/features/simulator/PhonePanel.vue'))

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
  {
    path: '/',
    component: AppShell,
    children: [
      { path: '', redirect: { name: 'inbox' } },
      { path: 'inbox/:id(\\d+)?', name: 'inbox', component: InboxPage, props: (route) => ({ ...route.params, phonePanel: PhonePanel }) },
      { path: 'simulator', name: 'simulator', component: () => import('@/features/simulator/SimulatorPage.vue') },
      { path: 'knowledge', name: 'knowledge', component: () => import('@/features/knowledge/KnowledgePage.vue') },
      { path: 'dashboard', name: 'dashboard', component: () => import('@/features/dashboard/DashboardPage.vue') },
      { path: 'contacts/:id(\\d+)?', name: 'contacts', component: () => import('@/features/contacts/ContactsPage.vue'), props: true },
      { path: 'channels', name: 'channels', component: () => import('@/features/channels/ChannelsPage.vue') },
      { path: 'team', name: 'team', component: () => import('@/features/team/TeamPage.vue') },
      { path: 'jobs', name: 'jobs', component: () => import('@/features/jobs/JobsPage.vue') },
      { path: 'audit', name: 'audit', component: () => import('@/features/audit/AuditPage.vue') },
      { path: 'users', name: 'users', component: () => import('@/features/users/UsersPage.vue') },
      { path: 'business/:table?', name: 'business', component: () => import('@/features/business/BusinessPage.vue'), props: true },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export function makeRouter() {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach(async (to) => {
    const session = useSessionStore()
    if (session.state === 'unknown') await session.restore()
    if (to.meta.public) return session.state === 'signed-in' && to.name === 'login' ? '/' : true
    if (session.state !== 'signed-in') return { name: 'login', query: { next: to.fullPath } }
    return true
  })
  return router
}
